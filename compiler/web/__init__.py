"""``kc serve``: the docs site and the tutor chat of one corpus in a local web app.

    sitecache.py  the site, built on demand into a cache folder; where a citation lands on it
    learners.py   one tutor session per learner, one request at a time per learner
    security.py   token, Host, Origin, content type and body-size checks on every request
    app.py        the Starlette routes: /site, /chat, /api/* (server-sent events for answers)
    server.py     start-up: build the site, warm search, run uvicorn
    assets/       the chat page, its script and stylesheet (ours, vendored; no CDN)

Sits on ``compiler.service`` (corpus, retriever, tutor backend) like the MCP server and the REPL.
Nothing here is imported by ``kc --help``: the command imports ``server`` when it runs.
"""
