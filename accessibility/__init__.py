"""The accessibility stage: axe-core audits of the pages, iframes, scripted UI states and e2e workflow steps."""
