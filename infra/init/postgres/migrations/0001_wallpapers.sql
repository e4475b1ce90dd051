-- 0001: example schema of WallpaperDB: users (owners) and wallpapers.
-- Applied once by `make seed` (tools/src/services/postgres.ts) inside one transaction and recorded in
-- public.wallpaperdb_schema_migrations with its checksum. Never edit this file once applied: add
-- 0002_*.sql instead. Runs on PostgreSQL 15 and 16 (gen_random_uuid() is built in since 13).

CREATE TABLE users (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text        NOT NULL CHECK (position('@' IN email) > 1),
  display_name text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are unique regardless of case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE wallpapers (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  title           text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  width           integer     NOT NULL CHECK (width > 0),
  height          integer     NOT NULL CHECK (height > 0),
  -- Key of the image object in the MinIO bucket (MINIO_BUCKET), e.g. "originals/<id>.jpg".
  object_key      text        NOT NULL UNIQUE CHECK (object_key <> ''),
  content_type    text,
  size_bytes      bigint      CHECK (size_bytes >= 0),
  tags            text[]      NOT NULL DEFAULT '{}',
  -- Lowercase #rrggbb values, most dominant first; filled in by the enrichment worker.
  dominant_colors text[]      NOT NULL DEFAULT '{}'
                  CHECK (array_to_string(dominant_colors, ',') ~ '^(#[0-9a-f]{6}(,#[0-9a-f]{6})*)?$'),
  owner_id        uuid        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  metadata        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- "My wallpapers, newest first" and the global newest-first feed.
CREATE INDEX wallpapers_owner_created_idx ON wallpapers (owner_id, created_at DESC);
CREATE INDEX wallpapers_created_idx ON wallpapers (created_at DESC);
-- Filters: tags @> '{nature}', dominant_colors && '{#336699}', metadata @> '{"camera": "x"}'.
CREATE INDEX wallpapers_tags_idx ON wallpapers USING gin (tags);
CREATE INDEX wallpapers_dominant_colors_idx ON wallpapers USING gin (dominant_colors);
CREATE INDEX wallpapers_metadata_idx ON wallpapers USING gin (metadata jsonb_path_ops);

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER wallpapers_set_updated_at
  BEFORE UPDATE ON wallpapers
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
