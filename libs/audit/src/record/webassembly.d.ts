// The part of the WebAssembly JS API that byte-body.ts uses: Node.js has it all, but
// @types/node 20 declares none of it (TypeScript's own declarations are in lib "dom").
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    readonly value: unknown;
  }
}
