"""The review workspace's web pages, served by ``shopscribe serve`` under ``/ui``: server-rendered Jinja2
templates (``templates/``) with one small script and one stylesheet (``static/``) — no build step, no CDN.

- ``auth``: the login page's cookie (the key, HttpOnly, SameSite=Strict) and the ``review`` scope;
- ``pages``: the HTML pages (jobs, a job's queue, one product);
- ``actions``: the JSON calls the pages make (check, draft, approve, reject, regenerate, bulk approve,
  export, retrain)."""
