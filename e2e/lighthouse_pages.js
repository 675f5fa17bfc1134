// Lighthouse's own command line, run once per page inside one Node process (`e2e.lighthouse`).
//
//   node lighthouse_pages.js <lighthouse>/cli/index.js PAGES.json
//
// PAGES.json is a list of argument lists, one per page, exactly as `lighthouse` would get them on its
// command line. Each run is the CLI's own (`cli/bin.js` `begin`): it launches a fresh Chrome, audits,
// writes its reports and kills that Chrome, so every page is measured as by a separate `lighthouse`
// command; only starting Node and loading Lighthouse (seconds each) is paid once. The CLI ends a run
// with a runtime error by exiting: here that ends the page's run only. Each finished page prints
// one JSON line {"page": URL, "code": EXIT_CODE}. CommonJS or ES module alike: dynamic imports only.
(async () => {
  const {pathToFileURL} = await import('node:url');
  const {readFileSync} = await import('node:fs');
  const path = await import('node:path');
  const [cli, pagesFile] = process.argv.slice(2);
  const {begin} = await import(pathToFileURL(path.join(path.dirname(cli), 'bin.js')).href);
  const pages = JSON.parse(readFileSync(pagesFile, 'utf8'));
  const exit = process.exit;
  let code = 0;
  process.exit = (status) => {
    code = status ?? 0;
  };
  for (const args of pages) {
    code = 0;
    process.argv = [process.argv[0], cli, ...args];
    try {
      await begin();
    } catch (error) {
      console.error(error);
      code = 1;
    }
    process.stdout.write(JSON.stringify({page: args[0], code}) + '\n');
  }
  exit(0);
})();
