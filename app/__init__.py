"""nianbao's glue: the command line and (later) the scheduler and the web window."""
