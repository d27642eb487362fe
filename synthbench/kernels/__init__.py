"""Kernels: the functions that both ``sample`` and exported code cells run.

Every generator compiles its parameters into a :class:`~synthbench.codegen.Plan`, a
short list of calls to the functions of this package with literal arguments.
``sample`` runs the plan; ``to_code`` writes the source of the same functions
(``inspect.getsource``) followed by the same calls, so the library and the exported
cell cannot drift apart.

Rules for a kernel module (``tests/test_kernels.py`` checks them):

* it imports only numpy and pandas at the top; scipy, scikit-learn, imbalanced-learn,
  faker and pyarrow (a dependency of synthbench, and pandas' zero-copy path to its
  Arrow-backed strings) are imported inside the function that needs them;
* it never imports synthbench, and a kernel reads no module-level name other than
  ``np``, ``pd`` and other kernels of the same module (their source is copied along);
* a kernel takes everything it needs as arguments, so its call can be written with
  literals.
"""
