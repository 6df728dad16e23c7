"""Runs this project's generated test models (tools/test-models) in torch, for reference scripts.

Debian's python3-onnx (1.12) has no reference evaluator and onnxruntime is not installable here, so
this evaluates an ONNX graph node by node with torch, in float32, for the operators the test-model
generator writes (and raises on any other). The weights are read from the .onnx file itself, so a
reference that runs a model through this runs the very model the TypeScript tests run.
"""
import numpy as np
import onnx
import torch
from onnx import numpy_helper

_DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 10: torch.float16, 11: torch.float64}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _depth_to_space_dcr(x, bs):
    b, c, h, w = x.shape
    x = x.reshape(b, bs, bs, c // (bs * bs), h, w).permute(0, 3, 4, 1, 5, 2)
    return x.reshape(b, c // (bs * bs), h * bs, w * bs)


def _space_to_depth(x, bs):
    b, c, h, w = x.shape
    x = x.reshape(b, c, h // bs, bs, w // bs, bs).permute(0, 3, 5, 1, 2, 4)
    return x.reshape(b, c * bs * bs, h // bs, w // bs)


def _reshape(x, shape):
    shape = [int(v) for v in shape.tolist()]
    shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return x.reshape(shape)


def _run_node(op, ins, a):
    if op == "Identity":
        return ins[0]
    if op == "Cast":
        return ins[0].to(_DTYPES[a["to"]])
    if op in ("Add", "Sub", "Mul", "Div"):
        return {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div}[op](ins[0], ins[1])
    if op in ("Tanh", "Sin", "Cos", "Sigmoid", "Erf"):
        return getattr(torch, op.lower())(ins[0])
    if op == "MatMul":
        return torch.matmul(ins[0], ins[1])
    if op == "Gather":
        return ins[0][ins[1].long()]
    if op == "ReduceMean":
        return ins[0].mean(dim=tuple(a["axes"]), keepdim=bool(a.get("keepdims", 1)))
    if op == "Reshape":
        return _reshape(ins[0], ins[1])
    if op == "Conv":
        pads = a.get("pads", [0, 0, 0, 0])
        return torch.nn.functional.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]), padding=(pads[0], pads[1]))
    if op == "DepthToSpace":
        if a.get("mode", b"DCR") not in (b"DCR", "DCR"):
            raise NotImplementedError("DepthToSpace CRD")
        return _depth_to_space_dcr(ins[0], a["blocksize"])
    if op == "SpaceToDepth":
        return _space_to_depth(ins[0], a["blocksize"])
    raise NotImplementedError(f"onnx_torch: operator {op}")


class OnnxGraph:
    """One .onnx file; `run(inputs)` takes and gives torch tensors by name."""

    def __init__(self, path):
        model = onnx.load(path)
        self.graph = model.graph
        self.constants = {t.name: torch.from_numpy(np.array(numpy_helper.to_array(t))) for t in self.graph.initializer}
        self.input_names = [i.name for i in self.graph.input if i.name not in self.constants]
        self.output_names = [o.name for o in self.graph.output]

    def run(self, inputs):
        values = dict(self.constants)
        values.update(inputs)
        for node in self.graph.node:
            ins = [values[n] for n in node.input if n]
            values[node.output[0]] = _run_node(node.op_type, ins, _attrs(node))
        return {name: values[name] for name in self.output_names}
