import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import type { SchemaObject } from './openapi-schema.js';
import type { TestApp } from './test-app.js';

/** The served OpenAPI document next to what the code declares: shared by the api-openapi suites. */
export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: SchemaObject;
}

export interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: SchemaObject }> };
  responses: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
  'x-sandtrap-public'?: boolean;
  'x-sandtrap-roles'?: string[];
}

export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject>; securitySchemes: Record<string, unknown> };
}

type Handler = (...args: unknown[]) => unknown;

/** A route as the code declares it: Nest's own metadata, read the way Nest's router reads it. */
export interface CodeRoute {
  key: string;
  documented: boolean;
  call: Handler;
  queries: Array<{ index: number; name?: string; type: unknown }>;
}

const VERBS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

export function codeRoutes(t: TestApp): CodeRoute[] {
  const out: CodeRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as unknown as { prototype: Record<string, unknown> } & object;
      const instance = wrapper.instance as Record<string, Handler>;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = type.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (verb === undefined) continue;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = `/${[base, sub].filter((s) => s !== '' && s !== '/').join('/')}`
          .replace(/\/+/g, '/')
          .replace(/:(\w+)/g, '{$1}');
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', type.prototype, name) ?? []) as unknown[];
        const queries = Object.entries(args)
          .filter(([k]) => k.split(':')[0] === String(RouteParamtypes.QUERY))
          .map(([, a]) => ({
            index: a.index,
            name: typeof a.data === 'string' ? a.data : undefined,
            type: types[a.index],
          }));
        const excluded = Reflect.getMetadata('swagger/apiExcludeEndpoint', handler) as
          { disable?: boolean } | undefined;
        out.push({
          key: `${VERBS[verb] ?? String(verb)} ${path}`,
          documented: excluded?.disable !== true,
          call: (...a) => instance[name](...a),
          queries,
        });
      }
    }
  }
  return out;
}

/**
 * The query parameters a route reads. Named `@Query('x')` arguments and validated DTOs say so in
 * their metadata; a raw `@Query()` object is handed to the real handler as a proxy that records
 * every name the code looks up (GET /v1/violations: the service's QueryReader).
 */
export async function queryParamsRead(route: CodeRoute): Promise<Set<string>> {
  const names = new Set<string>();
  for (const q of route.queries) {
    if (q.name !== undefined) {
      names.add(q.name);
    } else if (typeof q.type === 'function' && q.type !== Object) {
      const rules = getMetadataStorage().getTargetValidationMetadatas(q.type, '', true, false);
      for (const r of rules) names.add(r.propertyName);
    } else {
      const recorder = new Proxy<Record<string, unknown>>(
        {},
        {
          get(_, key) {
            if (typeof key === 'string') names.add(key);
            return undefined;
          },
        },
      );
      const args: unknown[] = [];
      args[q.index] = recorder;
      try {
        await route.call(...args);
      } catch {
        // Missing required parameters are refused after every parameter has been read.
      }
    }
  }
  return names;
}

/** Every operation of the document, keyed "GET /v1/x". */
export function operationsOf(doc: Document) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method,
      path,
      op,
    })),
  );
}
