"""The e2e stage: Playwright workflow tests of the target, page objects and Web Vitals."""
