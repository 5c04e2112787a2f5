"""Executes one notebook with the tslab kernel and writes it and its HTML export.

Run by scripts/run-jupyter.mjs with the Python that runs Jupyter. One Python process does both
steps (`jupyter nbconvert --execute` and then `--to html` are two, each paying Jupyter's start-up).
The HTML exporter is imported and built on a thread while the kernel starts and runs (its
imports and templates take about half a second), and the notebook is validated once before the
export instead of after each of the exporter's eleven preprocessors (each compiles the schema).
Exit codes: 0 done, 1 a cell failed (its error on stderr), 3 Jupyter's modules are missing.
"""
import os
import sys
import threading

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as err:
    print(f"missing Jupyter module: {err}", file=sys.stderr)
    sys.exit(3)


def prepare_exporter(box):
    try:
        from nbconvert import HTMLExporter

        class ValidatedOnceExporter(HTMLExporter):
            # The notebook is validated once before the export (see main); the preprocessors
            # that run here only read it.
            def _validate_preprocessor(self, nbc, preprocessor):
                pass

        exporter = ValidatedOnceExporter()
        # Loads the templates now rather than during the export.
        exporter.from_notebook_node(nbformat.v4.new_notebook())
        box["exporter"] = exporter
    except ImportError as err:
        box["error"] = err


def main(notebook, out_dir, name, cwd):
    nb = nbformat.read(notebook, as_version=4)
    box = {}
    preparing = threading.Thread(target=prepare_exporter, args=(box,), daemon=True)
    preparing.start()
    client = NotebookClient(
        nb, kernel_name="tslab", timeout=900, resources={"metadata": {"path": cwd}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        print(str(err), file=sys.stderr)
        return 1
    nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
    preparing.join()
    if "error" in box:
        print(f"missing Jupyter module: {box['error']}", file=sys.stderr)
        return 3
    nbformat.validate(nb)
    body, _ = box["exporter"].from_notebook_node(nb)
    with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
        f.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
