"""``python -m replica serve|manifest|check`` (the same commands as ``nianbao replica``)."""

from replica.cli import main

main()
