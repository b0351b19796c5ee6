// The layout's rules (README "How the code is laid out"), checked on every `npm test`: dependencies point inward
// (protocols & web → domain → store), each folder is entered through its index.ts, and nothing imports in a circle.
const domain = '^src/(identity|otp|directory|policy|audit|signin|admin|registration)/';
const infrastructure =
  '(^|/)node_modules/(fastify|@fastify/[^/]+|kysely|pg|oidc-provider)/|^(node:)?(sqlite|dgram|http|https|net)$';
const sql = '(^|/)node_modules/(kysely|pg)/|^(node:)?sqlite$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-without-infrastructure',
      comment: 'A domain module never imports HTTP, SQL or sockets: its storage lives behind an interface in sql/.',
      severity: 'error',
      from: { path: domain, pathNot: '/sql/' },
      to: { path: infrastructure },
    },
    {
      name: 'domain-without-pages-or-root',
      comment: 'Dependencies point inward: no domain module, admin/ included, imports pages, the root or the CLI.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^src/(web|compose|cli)/|^src/(server|serve|cli)\\.ts$' },
    },
    {
      name: 'domain-without-protocols',
      comment:
        'The sign-in and account rules are the same for every protocol, so they import none. admin/ may: it ' +
        "manages the protocols' own registries (apps, RADIUS clients).",
      severity: 'error',
      from: { path: domain, pathNot: '^src/admin/' },
      to: { path: '^src/(oidc|radius|web|compose|cli)/|^src/(server|serve|cli)\\.ts$' },
    },
    {
      name: 'sql-only-in-store-and-sql-folders',
      comment: "Kysely, pg and node:sqlite are used only in src/store/ and in a module's sql/ folder.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/store/', '/sql/', '\\.test\\.ts$'] },
      to: { path: sql },
    },
    {
      name: 'web-only-from-http-modules',
      comment: 'Pages, forms and CSRF are for HTTP route modules (oidc/, saml/, web/) and the composition root only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(web|oidc|saml|compose)/', '^src/server\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^src/web/' },
    },
    {
      name: 'enter-folders-through-index',
      comment: 'Another folder is entered through its index.ts, its one public surface.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'top-level-through-index',
      comment: 'The entry files (server, cli, config) enter folders through their index.ts too.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other in a circle cannot be understood or loaded one at a time.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
  },
};
