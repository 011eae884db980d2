"""The internal contract between the BFF and the ML API, in code.

Both services import these modules instead of spelling storage keys, job statuses or error
codes themselves, so a change to the seam is one edit here (and a failing test), not a
search through two services. ``docs/design.md`` explains the reasons; this package is the
authority for the names:

- :mod:`pictolab.contract.storage_keys`: every object key and prefix in the shared storage,
  including the prefixes a workshop purge deletes;
- :mod:`pictolab.contract.jobs`: the ML job statuses and the typed ``errorCode`` a failed
  job carries in its status;
- :mod:`pictolab.contract.errors`: the ``extensions.code`` values of GraphQL errors and the
  domain exceptions (:class:`~pictolab.contract.errors.DomainError`) that service code raises
  and only the GraphQL layer turns into GraphQL errors.
"""
