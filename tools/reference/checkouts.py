"""Importing the reference projects from checkouts given on the command line: diffusers,
k-diffusion and torchsde, with Debian's python3-torch (1.13), numpy and scipy.

Some of their imports have no Debian package and nothing the reference scripts compute uses
them; `StubFinder` answers those with empty modules whose functions raise if ever called:
- huggingface_hub and safetensors (downloads and weight files), for diffusers and k-diffusion;
- torchvision and torchdiffeq, which k-diffusion's utils and ODE samplers import at load time.
diffusers 0.40's utils/torch_utils.py names `torch.xpu` and `torch.mps` at import time, which
torch 1.13 lacks; `AbsentBackend` stands in for them and raises if used.

torchsde imports the small PyPI package `trampoline` (not in Debian) for its recursion; the
`trampoline` module below is our own stand-in with the same two names and behaviour: a generator
that yields another generator gets that one's return value sent back, and one that raises
`TailCall(gen)` is replaced by `gen`.

Nothing of these projects is copied here: they are imported from the checkouts as they are.
"""
import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import types


class StubModule(types.ModuleType):
    """A module for a package we do not have; its names exist but must never be used."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name.isupper():
            value = "/nonexistent/stubbed-" + name
        elif name[:1].isupper():
            value = type(name, (Exception,), {})
        else:

            def value(*args, **kwargs):
                if len(args) == 1 and callable(args[0]) and not kwargs:
                    return args[0]  # used as a decorator: leave the function as it is
                raise RuntimeError(f"stubbed {self.__name__}.{name} was called")

        setattr(self, name, value)
        return value


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, roots):
        self.roots = tuple(roots)

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = StubModule(spec.name)
        module.__path__ = []
        module.__version__ = "0.0.0-stub"
        return module

    def exec_module(self, module):
        pass


class AbsentBackend(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def absent(*args, **kwargs):
            raise RuntimeError(f"{self.__name__}.{name} does not exist in this torch")

        return absent

    def is_available(self):
        return False


def stub(*roots):
    sys.meta_path.insert(0, StubFinder(roots))


def _source_root(checkout, package):
    for candidate in (os.path.join(checkout, "src"), checkout):
        if os.path.isdir(os.path.join(candidate, package)):
            return candidate
    sys.exit(f"{checkout}: no {package} package here")


def import_diffusers(checkout):
    src = _source_root(checkout, "diffusers")
    stub("huggingface_hub", "safetensors")
    import torch

    for backend in ("xpu", "mps"):
        if not hasattr(torch, backend):
            setattr(torch, backend, AbsentBackend("torch." + backend))
    sys.path.insert(0, src)
    import diffusers

    return diffusers


class _TailCall(BaseException):
    def __init__(self, call):
        self.call = call


def _trampoline(call):
    stack = [call]
    value = None
    while stack:
        try:
            result = next(stack[-1]) if value is None else stack[-1].send(value)
            value = None
            stack.append(result)
        except _TailCall as tail:
            stack[-1] = tail.call
            value = None
        except StopIteration as stop:
            stack.pop()
            value = stop.value
    return value


def import_torchsde(checkout):
    root = _source_root(checkout, "torchsde")
    if "trampoline" not in sys.modules:
        module = types.ModuleType("trampoline")
        module.TailCall = _TailCall
        module.trampoline = _trampoline
        sys.modules["trampoline"] = module
    sys.path.insert(0, root)
    import torchsde

    return torchsde


def import_k_diffusion(checkout, torchsde_checkout=None):
    """k_diffusion's `sampling` and `external` modules, without its package __init__ (which loads
    its training code and models)."""
    root = _source_root(checkout, "k_diffusion")
    stub("safetensors", "torchvision", "torchdiffeq", *(() if torchsde_checkout else ("torchsde",)))
    if torchsde_checkout:
        import_torchsde(torchsde_checkout)
    package = types.ModuleType("k_diffusion")
    package.__path__ = [os.path.join(root, "k_diffusion")]
    sys.modules["k_diffusion"] = package
    sampling = importlib.import_module("k_diffusion.sampling")
    external = importlib.import_module("k_diffusion.external")
    return sampling, external
