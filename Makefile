# WallpaperDB local infrastructure: the human entry point.
# The checks and tests go through `turbo run`, so the same task graph, caching and
# environment apply whether you type `make`, `npx turbo` or run CI. The everyday
# commands (start, reset, status, doctor, seed, wait, verify) run the tools' bundle
# directly instead: turbo and npm cost 0.7 s before a command starts, more than
# status takes, and turbo's lines would share stdout with --json. Make keeps the
# bundle up to date through turbo's cached `build` task. Run `make help` for the list.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

TURBO := node_modules/.bin/turbo
# Quiet, offline Turborepo: no telemetry, no update notice, no version banner.
export TURBO_TELEMETRY_DISABLED := 1
export TURBO_NO_UPDATE_NOTIFIER := 1
export TURBO_PRINT_VERSION_DISABLED := 1
export DO_NOT_TRACK := 1
# npm's "> script" banner and its "npm error Lifecycle script" trailer are noise:
# the tasks print their own messages.
export npm_config_loglevel := silent
RUN := $(TURBO) run --ui=stream --log-prefix=none --log-order=stream --output-logs=full
CHECK := $(TURBO) run --ui=stream --log-order=grouped --log-prefix=none --output-logs=new-only

# Variables users pass on the command line, turned into flags for the tasks.
SERVICE ?=
ONLY ?=
PROFILE ?=
SINCE ?=
NAME ?=
JSON ?=
json_flag = $(if $(filter 1 yes true,$(JSON)),--json)
# make also takes variables from the environment: an exported CONFIRM must not delete anything, so only
# CONFIRM=1 typed on make's command line confirms a reset, a restore or a snapshot-rm.
reset_confirmed = $(and $(filter command line,$(origin CONFIRM)),$(filter 1 yes true,$(CONFIRM)))

# Ctrl-C reaches make, the recipe's shell and everything under it at once. The recipe's shell then exits
# 0: make, interrupted too, exits 130 by itself, and a failing status would only add make's own
# "*** Error 130" under the line that explains. The tools end an interrupted command without a word, so for
# them the shell says what was interrupted ($(1): the fix line), on a line of its own after the terminal's
# ^C; the lifecycle scripts say themselves what they leave behind.
ctrl_c_says = trap '[ -t 2 ] && printf "\n" >&2; printf "✗ make %s was interrupted (Ctrl-C).\n  fix: %s\n" "$@" "$(1)" >&2; exit 0' INT;
ctrl_c_quiet := trap 'exit 0' INT;
# NAME as one single-quoted shell word, whatever it holds (the tools validate it).
name_arg = $(if $(NAME),'$(subst ','\'',$(NAME))')

DEPS_STAMP := node_modules/.package-lock.json
DEPS_INPUTS := package-lock.json package.json infra/package.json tools/package.json

# The tools CLI bundled (tools/scripts/build.mjs): rebuilt when a source is newer, so a target never runs a
# stale bundle against new sources. The lifecycle scripts get it through WPDB_TOOLS_CLI; run by hand they use tsx.
TOOLS_CLI := tools/dist/cli.mjs
TOOLS_SOURCES := $(shell find tools/src -type f) tools/scripts/build.mjs tools/package.json
TOOLS := node $(TOOLS_CLI)

.PHONY: help start stop reset logs seed wait status doctor verify snapshot snapshots snapshot-rm restore test lint typecheck e2e check-images bench fmt

help: ## List the targets with what they do
	@printf 'WallpaperDB local infrastructure\n\nUsage: make <target> [VAR=value]\n\n'
	@on=''; off=''; if [ -t 1 ]; then on='\033[36m'; off='\033[0m'; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-z][a-z0-9-]*:.*## / {printf "  %s%-12s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)
	@printf '\nVariables: PROFILE=core|observability|cache, comma-separated (start, wait, doctor), SERVICE=name SINCE=10m (logs),\n'
	@printf '           ONLY=postgres,minio,opensearch,nats (seed), CONFIRM=1 (reset, restore, snapshot-rm),\n'
	@printf '           NAME=snapshot (snapshot, restore, snapshot-rm), JSON=1 (status, doctor, snapshot, snapshots)\n'

# start and reset run their script on make's terminal (see reset), with the bundle for every tools call.
start: $(TOOLS_CLI) ## Start the stack (preflight, up, wait healthy, seed) and print URLs
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/start-infra.sh $(if $(PROFILE),--profile $(PROFILE))

stop: $(DEPS_STAMP) ## Stop the stack; all data is kept
	@$(RUN) stop

# The one lifecycle target without turbo: turbo runs a task on a pseudo-terminal of its own, so reset's
# "Type yes" prompt never reached the user, typed input never arrived, and a closed terminal left it
# waiting with the lifecycle lock held. The script has to own make's terminal to ask.
reset: $(TOOLS_CLI) ## Delete this stack's volumes after confirmation (CONFIRM=1 to skip the prompt), then start again
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/reset-infra.sh $(if $(reset_confirmed),--yes) $(if $(PROFILE),--profile $(PROFILE))

logs: $(DEPS_STAMP) ## Follow the logs of every service, or SERVICE=name [SINCE=10m]
	@$(RUN) logs -- $(if $(SERVICE),--service $(SERVICE)) $(if $(SINCE),--since $(SINCE))

seed: $(TOOLS_CLI) ## Converge seed data (tables, buckets, indices, streams); ONLY=postgres,nats for a subset
	@$(call ctrl_c_says,make seed again completes it (seeding converges)) $(TOOLS) seed $(if $(ONLY),--only $(ONLY))

wait: $(TOOLS_CLI) ## Wait until every running service answers its readiness probe
	@$(call ctrl_c_says,make wait again; it only probes so nothing changed) $(TOOLS) wait $(if $(PROFILE),--profile $(PROFILE))

status: $(TOOLS_CLI) ## Show each service's state, health, URL and user (JSON=1 for machines)
	@$(call ctrl_c_says,make status again; it only reads) $(TOOLS) status $(json_flag)

doctor: $(TOOLS_CLI) ## Check Docker, Compose, ports, memory, disk, vm.max_map_count and .env drift
	@$(call ctrl_c_says,make doctor again; it only reads) $(TOOLS) doctor $(json_flag) $(if $(PROFILE),--profile $(PROFILE))

verify: $(TOOLS_CLI) ## Prove the running stack end to end (write and read every service, telemetry round trip)
	@$(call ctrl_c_says,make verify again; its probe data has names of its own) $(TOOLS) verify

# Like reset, the snapshot targets run without turbo: restore and snapshot-rm ask on make's terminal, and
# snapshot and restore stop the data services themselves, so Ctrl-C must reach them to start them again.
snapshot: $(TOOLS_CLI) ## Save postgres, minio, opensearch and nats together into .snapshots/NAME (default: date-time)
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/snapshot-infra.sh snapshot $(if $(NAME),--name $(name_arg)) $(json_flag)

snapshots: $(TOOLS_CLI) ## List the snapshots: name, age, size, image versions (JSON=1 for machines)
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/snapshot-infra.sh snapshots $(json_flag)

snapshot-rm: $(TOOLS_CLI) ## Delete snapshot NAME=... after confirmation (CONFIRM=1 to skip the prompt)
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/snapshot-infra.sh snapshot-rm $(name_arg) $(if $(reset_confirmed),--yes)

restore: $(TOOLS_CLI) ## Check, then put snapshot NAME=... back into the data volumes (CONFIRM=1 to skip the prompt)
	@$(ctrl_c_quiet) WPDB_TOOLS_CLI=$(TOOLS_CLI) bash infra/scripts/snapshot-infra.sh restore $(name_arg) $(if $(reset_confirmed),--yes)

# Where each system tool the tests look for was found: part of the test task's cache key (turbo.json),
# so a run that skipped tests for a missing tool is not replayed from cache once the tool is installed.
TEST_TOOLS := docker docker-compose nats-server promtool prometheus shellcheck script tmux ss lsof
test_tools_found = $(shell for t in $(TEST_TOOLS); do printf '%s=%s ' "$$t" "$$(command -v "$$t")"; done)postgres=$(firstword $(PG_BIN) $(wildcard /usr/lib/postgresql/*/bin/initdb))

test: $(DEPS_STAMP) ## Run lint, typecheck and every test tier (unit, static, integration, lifecycle)
	@WPDB_TEST_TOOLS='$(test_tools_found)' $(CHECK) lint typecheck test test:engine

lint: $(DEPS_STAMP) ## Lint and format-check the TypeScript (Biome)
	@$(CHECK) lint

typecheck: $(DEPS_STAMP) ## Type-check every package (tsc --noEmit)
	@$(CHECK) typecheck

e2e: $(DEPS_STAMP) ## End-to-end on a real Docker host (isolated project and ports; skips without an engine)
	@$(RUN) e2e

check-images: $(DEPS_STAMP) ## Check every pinned image:tag still exists for amd64 and arm64 (skips offline)
	@$(RUN) check-images

# One package's benchmark at a time: run side by side they would time each other.
bench: $(DEPS_STAMP) ## Print benchmark figures (everyday targets on the engine, seed timings, start overhead)
	@$(RUN) bench --concurrency=1

fmt: $(DEPS_STAMP) ## Fix formatting and safe lint findings in place
	@$(TURBO) run lint:fix --ui=stream --output-logs=errors-only

# The lock makes make invocations at once build only once; inside it the bundle is checked again, so a second
# one neither rebuilds nor rewrites files the first one runs. Every message goes to stderr (JSON=1 owns stdout).
$(TOOLS_CLI): $(DEPS_STAMP) $(TOOLS_SOURCES)
	@mkdir -p .turbo
	@echo "Bringing the tools CLI up to date (turbo run build)..." >&2
	@exec 9>.turbo/tools-build.lock; command -v flock >/dev/null && flock 9; \
	if [ ! -f $@ ] || [ -n "$$(find $(TOOLS_SOURCES) -newer $@ 2>/dev/null)" ]; then \
	  log="$$($(TURBO) run build --filter=@wallpaperdb/infra-tools --ui=stream --output-logs=errors-only 2>&1)" || { \
	    printf '%s\n' "$$log" >&2; exit 1; }; \
	  touch $@; \
	fi

# npm dependencies install themselves on first use and whenever the lockfile
# changes. The lock makes two make invocations at once install only once.
$(DEPS_STAMP): $(DEPS_INPUTS)
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null || { \
	  echo "error: Node.js 20 or newer is needed (found: $$(node --version 2>/dev/null || echo none))." >&2; \
	  echo "  fix: install Node 20+ (https://nodejs.org), or use the dev container or devbox (see README)." >&2; exit 1; }
	@mkdir -p .turbo
	@exec 9>.turbo/npm-install.lock; command -v flock >/dev/null && flock 9; \
	if [ ! -f $@ ] || [ -n "$$(find $(DEPS_INPUTS) -newer $@ 2>/dev/null)" ]; then \
	  echo "Installing npm dependencies (npm ci)..." >&2; \
	  npm ci --no-audit --no-fund --loglevel=error >&2; \
	  touch $@; \
	fi
