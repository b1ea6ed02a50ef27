"""A GGUF writer for tests: files laid out as llama.cpp's writers lay them out
(GGUF v3: magic, version, tensor and metadata counts, typed metadata, tensor
infos with dimensions innermost first, data aligned to general.alignment,
default 32), with hooks to break them on purpose. Shared by test_inspect.py
(the CLI against numpy) and tests/js/make_checkpoint.py (the generated
checkpoint of the JS API and browser tests)."""
import struct


def gguf_string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def gguf_value(vtype, v):
    """One GGUF metadata value (type code per the GGUF spec) without its type tag."""
    fixed = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
    if vtype in fixed:
        return struct.pack(fixed[vtype], v)
    if vtype == 8:
        return gguf_string(v)
    etype, items = v  # array
    return struct.pack("<IQ", etype, len(items)) + b"".join(gguf_value(etype, x) for x in items)


# ggml type codes and (block, bytes per block) of those written here (gguf-py's GGML_QUANT_SIZES).
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "I32": (26, 1, 4), "F64": (28, 1, 8),
        "BF16": (30, 1, 2), "Q4_K": (12, 256, 144)}


def gguf(path, tensors, metadata=(), alignment=None, version=3, raw_header=None, tail=b"", offsets=None):
    """tensors: (name, ggml type name, shape outermost first, raw bytes), laid out in order
    with padding to the alignment, as llama.cpp's writers do. metadata: (key, vtype, value)."""
    align = alignment or 32
    kv = list(metadata)
    if alignment is not None:
        kv.append(("general.alignment", 4, alignment))
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kv))
    for key, vtype, v in kv:
        head += gguf_string(key) + struct.pack("<I", vtype) + gguf_value(vtype, v)
    data, offs = b"", []
    for name, tname, shape, raw in tensors:
        offs.append(len(data))
        data += raw + b"\0" * (-len(raw) % align)
    for i, (name, tname, shape, raw) in enumerate(tensors):
        off = offsets[i] if offsets else offs[i]
        head += gguf_string(name) + struct.pack("<I", len(shape)) + b"".join(
            struct.pack("<Q", d) for d in reversed(shape)) + struct.pack("<IQ", GGML[tname][0], off)
    if raw_header is not None:
        head = raw_header
    head += b"\0" * (-len(head) % align)
    with open(path, "wb") as f:
        f.write(head + data + tail)
