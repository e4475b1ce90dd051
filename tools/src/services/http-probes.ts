/** Readiness over HTTP, shared by the modules whose readiness signal is an HTTP answer. */
import type { Config } from "../config/env.ts";
import { URL_HTTP } from "../config/schema.ts";
import type { ConfigSlice } from "./module.ts";
import { type HttpCheck, httpCheck, joinUrl, type ReadinessProbe } from "./probe.ts";

export const httpGetCheck = (url: string, accept?: HttpCheck["accept"]) => httpCheck({ url, accept });

/** A service whose readiness is a 2xx answer of one GET endpoint. */
export function readyEndpoint(service: string, path: string, baseUrl: (c: Config) => string): ReadinessProbe {
  return { service, checks: `GET ${path}`, check: (c) => httpGetCheck(joinUrl(baseUrl(c), path)) };
}

/** The slice of a service reached at one URL variable, by default its published port on localhost. */
export function urlSlice<K extends string>(
  key: K,
  urlVariable: string,
  portVariable: string,
): ConfigSlice<Record<K, string>> {
  return {
    variables: { [urlVariable]: URL_HTTP },
    build: ({ value, local }) =>
      ({ [key]: value<string | undefined>(urlVariable) ?? local("http", portVariable) }) as Record<K, string>,
    secrets: () => [],
  };
}
