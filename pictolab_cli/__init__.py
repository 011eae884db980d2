"""The ``pictolab`` command line: runs and administers the services (see ``main``).

It may import the services; the shared ``pictolab`` package and the services never import it.
"""
