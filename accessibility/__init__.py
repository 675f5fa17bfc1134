"""The accessibility stage: axe-core audits of the target's pages, iframes and scripted UI states."""
