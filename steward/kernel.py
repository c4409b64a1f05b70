"""The curriculum's kernel: ipykernel's, with a ``language_info`` that is the same on every
machine.

JupyterLab copies the kernel's ``language_info`` into the notebook's metadata when the
kernel connects. ipykernel's includes the exact Python version (``3.11.7``), so a stored
notebook whose metadata differs is marked *unsaved* the moment its kernel starts, and
closing an untouched lesson asks "Save changes?". Every stored notebook carries
:data:`LANGUAGE_INFO`, and this kernel reports exactly that: nothing changes on open.
``python3 run.py lab`` installs it as the environment's ``python3`` kernel.
"""

from __future__ import annotations

from typing import Any

#: What the kernel reports and every stored notebook carries (ipykernel's, without the patch version).
LANGUAGE_INFO: dict[str, Any] = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3",
}

#: The argument that makes ipykernel start this kernel class.
KERNEL_CLASS_ARGUMENT = "--IPKernelApp.kernel_class=steward.kernel.Kernel"

try:  # the kernel class exists only where ipykernel is installed (it always is with the curriculum)
    from ipykernel.ipkernel import IPythonKernel
except ImportError:  # pragma: no cover
    IPythonKernel = object  # type: ignore[assignment,misc]


class Kernel(IPythonKernel):  # type: ignore[misc,valid-type]
    """IPython's kernel, reporting :data:`LANGUAGE_INFO`, whose charts carry a text alternative."""

    language_info = LANGUAGE_INFO

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # ipykernel imports this module (and so steward) before the shell exists, so the
        # notebook's own ``import steward`` finds it imported and registers nothing: do it here.
        from steward import alttext

        alttext.register(self.shell)


def kernelspec(python: str) -> dict[str, Any]:
    """The ``kernel.json`` for the environment's ``python3`` kernel, running this kernel class."""
    return {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}", KERNEL_CLASS_ARGUMENT],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": True},
        "kernel_protocol_version": "5.5",
    }


def install(prefix: str | None = None) -> str:
    """Write :func:`kernelspec` as the ``python3`` kernel of the environment at ``prefix``
    (default: this one, ``sys.prefix``, which Jupyter prefers inside a virtual environment).
    ``python -m steward.kernel`` does it; ``run.py lab`` calls it on every start."""
    import json
    import sys
    from pathlib import Path

    target = Path(prefix or sys.prefix, "share", "jupyter", "kernels", "python3", "kernel.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(kernelspec(sys.executable), indent=1) + "\n", encoding="utf-8")
    return str(target)


if __name__ == "__main__":
    import sys

    print(f"installed the curriculum's python3 kernel: {install(sys.argv[1] if len(sys.argv) > 1 else None)}")
