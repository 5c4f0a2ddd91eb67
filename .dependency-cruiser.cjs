/**
 * Module boundaries (ARCHITECTURE.md "Modules"), checked by `npm run lint:boundaries` in .ci/run.
 * A module (src/modules/<m>/) reaches another module only through its index.ts, and never reaches
 * the layers built on top of modules: http/, cli/, workflows/ and runtime.ts. What routes and commands
 * need from those layers lives in src/platform/ or is passed in. Type-only imports count too. The web
 * app takes from the server only pure code, and the API's types from the schema files (types only).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-through-index',
      comment: "another module's files are reached only through its index.ts",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'module-below-app-layers',
      comment: 'modules never import http/, cli/, workflows/ or runtime.ts: those are built on modules',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ['^src/http/', '^src/cli/', '^src/workflows/', '^src/runtime\\.ts$'] },
    },
    {
      name: 'platform-below-app-layers',
      comment: 'src/platform/ is what modules may import, so it follows the same rule',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: ['^src/http/', '^src/cli/', '^src/workflows/', '^src/runtime\\.ts$'] },
    },
    {
      name: 'web-takes-pure-server-code',
      comment: 'the web app shares only pure server code (no I/O): src/shared/ and modules\' domain/ folders',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^src/', pathNot: ['^src/shared/', '^src/modules/[^/]+/domain/', '^src/modules/[^/]+/[^/]+\\.types\\.ts$', '^src/platform/schemas\\.ts$'] },
    },
    {
      name: 'web-takes-api-types-only',
      comment: 'the web app imports the API schemas as types (import type), so TypeBox stays out of its bundle',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: ['^src/modules/[^/]+/[^/]+\\.types\\.ts$', '^src/platform/schemas\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    includeOnly: '^(src|web/src)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
