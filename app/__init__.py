"""The command line and the orchestration of a crawl run, processing and the schedule: thin.

Owns: ``cli.py`` (the one click group), ``config.py`` (the one place the environment
and the config file are read), ``crawl.py`` (one crawl run from lock to summary),
``process.py`` + ``sandbox.py`` (parsing archived versions in limited workers),
``schedule.py`` (APScheduler), ``standin.py`` (starting the replica as a child
process for ``--replica`` and the demo) and ``scrapy_project.py`` (what ``scrapy``
from the project root sees).

May import: every product package (``web``, ``alerts``, ``crawler``, ``archive``,
``processors``). Never ``replica`` or ``bench``: the replica is reached as a
separate process over HTTP, and ``nianbao replica …`` is a plug-in command that a
clone provides (entry point group ``nianbao.commands``).
"""
