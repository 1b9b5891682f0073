"""The import of Amazon orders, in parts: merge, window, pages, texts and the run.

merge: an imported order against the stored one (our state is never overwritten);
window: which searchOrders filters a shop's import uses and where it resumes;
pages: one page (or a few) stored in one write, and the pages read ahead;
texts: what the operator reads about a shop or a run; sources: the shops, tokens and
Amazon search an import reads from; run: the Importer itself.
glstui.services.importer re-exports the names callers use.
"""
