"""The marketplace's own Playwright tests (pytest-playwright): the bundled app's ``playwright_tests``.

The e2e stage runs this folder the way it runs any team's test folder; each test is a workflow.
"""
