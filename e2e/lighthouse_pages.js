// Lighthouse's own command line, run once per page inside one Node process (`e2e.lighthouse`).
//
//   node lighthouse_pages.js <lighthouse>/cli/index.js PLAN.json
//
// PLAN.json is {"chrome": {"path": ..., "flags": [...]}, "pages": [[...], ...]}: the Chrome to audit
// with, and one argument list per page exactly as `lighthouse` would get it on its command line. Each
// run is the CLI's own (`cli/bin.js` `begin`). Chrome starts once, with chrome-launcher as the CLI
// would start it, and every run is given its debugging port (`--port`): the CLI then finds that Chrome
// instead of launching one, opens a new tab, resets the origin's storage and the HTTP cache, audits and
// closes the tab, as Lighthouse's own docs do for several pages. A run that fails gets the next page a
// fresh Chrome. Starting Node, loading Lighthouse and starting Chrome (seconds each) is paid once. The
// CLI ends a run with a runtime error by exiting: here that ends the page's run only. Each finished
// page prints one JSON line {"page": URL, "code": EXIT_CODE}. CommonJS or ES module alike: dynamic
// imports only.
(async () => {
  const {pathToFileURL} = await import('node:url');
  const {readFileSync} = await import('node:fs');
  const {createRequire} = await import('node:module');
  const path = await import('node:path');
  const [cli, planFile] = process.argv.slice(2);
  const {begin} = await import(pathToFileURL(path.join(path.dirname(cli), 'bin.js')).href);
  // The chrome-launcher Lighthouse itself depends on, found from its command line's folder.
  const launcher = await import(pathToFileURL(createRequire(cli).resolve('chrome-launcher')).href);
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  const start = () => launcher.launch({chromePath: plan.chrome.path, chromeFlags: plan.chrome.flags});
  const exit = process.exit;
  let code = 0;
  process.exit = (status) => {
    code = status ?? 0;
  };
  let chrome = null;
  for (const args of plan.pages) {
    code = 0;
    try {
      chrome = chrome ?? (await start());
      process.argv = [process.argv[0], cli, ...args, `--port=${chrome.port}`];
      await begin();
    } catch (error) {
      console.error(error);
      code = 1;
    }
    if (code !== 0 && chrome !== null) {
      chrome.kill();
      chrome = null;
    }
    process.stdout.write(JSON.stringify({page: args[0], code}) + '\n');
  }
  chrome?.kill();
  exit(0);
})();
