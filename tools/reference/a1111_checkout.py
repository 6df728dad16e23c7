"""Importing single modules of an A1111 checkout for the reference scripts, without the web UI.

A1111's modules import `modules.shared`, `modules.devices` and the like, which start the whole web
UI. `import_from_checkout` puts small stand-ins for those into sys.modules first (each a module
holding only the names the caller lists), then imports the real modules asked for from the
checkout. Nothing of A1111 is copied here.
"""
import importlib
import sys
import types


def stub(name, **attrs):
    """A stand-in module `name` holding `attrs`, registered in sys.modules."""
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def import_from_checkout(checkout, stand_ins, *names):
    """Imports `modules.<name>` for each name from the checkout, with `modules.<key>` stand-ins from `stand_ins`."""
    sys.path.insert(0, checkout)
    import modules  # the checkout's namespace package

    for name, attrs in stand_ins.items():
        setattr(modules, name, stub("modules." + name, **attrs))
    return [importlib.import_module("modules." + name) for name in names]
