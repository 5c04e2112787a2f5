"""Executes one notebook with the tslab kernel and writes it and its HTML export.

Run by scripts/run-jupyter.mjs with the Python that runs Jupyter. One Python process does both
steps (`jupyter nbconvert --execute` and then `--to html` are two, each paying Jupyter's start-up).
Exit codes: 0 done, 1 a cell failed (its error on stderr), 3 Jupyter's modules are missing.
"""
import os
import sys

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter
except ImportError as err:
    print(f"missing Jupyter module: {err}", file=sys.stderr)
    sys.exit(3)


def main(notebook, out_dir, name, cwd):
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, kernel_name="tslab", timeout=900, resources={"metadata": {"path": cwd}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        print(str(err), file=sys.stderr)
        return 1
    nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
    body, _ = HTMLExporter().from_notebook_node(nb)
    with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
        f.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
