"""Helpers shared by the test folders (on the path through pytest's ``pythonpath = ["tests"]``).

Corpus builders: ``tutor_corpus`` (tutor cores from concept specs and fixture repos), ``mcp_corpus`` (the MCP
server's hand-built corpus), ``synthetic`` (docs-site cores of any width), ``index_corpus`` (cores from a fixture
package for the index), ``factkit`` (files and facts for the analysis), ``frontend_files`` (files and symbols for
the front end). Stub LLM servers: ``llm_stubs``. Processes: ``serve_process`` (``kc serve``), ``mcp_process``
(``kc mcp``), ``site_server`` (a static server and browser settings for the built site).
"""
