"""Python oracle for ckpt's sharded safetensors tests (test/sharded/*.test.ts): Hugging Face's own code decides.

  plan          stdin: JSON list of {tensors: [[name, bytes]...], max: int|str, unsharded: "model.safetensors"}; for each,
                huggingface_hub's split_state_dict_into_shards_factory (the splitter behind split_torch_state_dict_into_shards)
                over those sizes, and the index save_torch_state_dict would write: {"shards": {file: [names]}, "index": text|null}
  sizes         stdin: JSON list of strings; huggingface_hub's parse_size_to_int of each: {"ok": "<int>"} or {"error": msg}
  load DIR ORDER MAX
                DIR holds ckpt's sharded model.safetensors; ORDER is a JSON file listing the tensor names in ckpt's order.
                Loads every shard with safetensors.safe_open, the folder with huggingface_hub.load_torch_model (strict),
                and saves the same tensors, in ORDER, with huggingface_hub.save_torch_state_dict(max_shard_size=MAX) into
                DIR/../python: prints per-tensor sha256 of each load, and Python's file list and index text
  write DIR MAX writes a state dict of mixed dtypes with save_torch_state_dict(DIR/hub, max_shard_size=MAX) and a tiny BERT
                with transformers' save_pretrained(DIR/transformers, max_shard_size=MAX); prints each tensor's dtype,
                shape and sha256, per folder
  bert-spec DIR MAX
                a tiny BertModel: writes DIR/config.json, prints its state dict's names, shapes and dtypes in order, and
                the weight_map and total_size of save_pretrained(DIR/../bert-python, max_shard_size=MAX)
  bert-load DIR loads DIR with transformers' BertModel.from_pretrained; prints the loading info and each tensor's sha256
Prints one JSON document on stdout.
"""
import hashlib
import json
import os
import sys


def sha(t):
    import torch

    return hashlib.sha256(t.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()).hexdigest()


def described(sd):
    return {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "sha256": sha(v)} for k, v in sd.items()}


def module_for(sd):
    """A torch module whose state dict has exactly the names (and zeroed tensors) of `sd`."""
    import torch

    root = torch.nn.Module()
    for name, t in sd.items():
        *path, leaf = name.split(".")
        m = root
        for p in path:
            if not hasattr(m, p):
                m.add_module(p, torch.nn.Module())
            m = getattr(m, p)
        m.register_buffer(leaf, torch.zeros_like(t))
    return root


def plan(cases):
    from huggingface_hub.serialization import split_state_dict_into_shards_factory

    out = []
    for case in cases:
        sizes = dict(case["tensors"])
        pattern = case["unsharded"][: -len(".safetensors")] + "{suffix}.safetensors"
        # Stand-ins for tensors: a 1-tuple naming one (a str would be skipped, as HF skips bnb's string entries).
        split = split_state_dict_into_shards_factory(
            {name: (name,) for name, _ in case["tensors"]},
            get_storage_size=lambda t: sizes[t[0]],
            filename_pattern=pattern,
            max_shard_size=case["max"],
        )
        index = None
        if split.is_sharded:
            # save_torch_state_dict's own lines (metadata=None becomes {}).
            index = json.dumps({"metadata": {**split.metadata, **{}}, "weight_map": split.tensor_to_filename}, indent=2)
        out.append({"shards": split.filename_to_tensors, "index": index})
    return out


def sizes(texts):
    from huggingface_hub.serialization._base import parse_size_to_int

    out = []
    for t in texts:
        try:
            out.append({"ok": str(parse_size_to_int(t))})
        except Exception as e:  # ValueError, OverflowError: both are refusals
            out.append({"error": f"{type(e).__name__}: {e}"})
    return out


def load(folder, order_file, max_size):
    from huggingface_hub import load_torch_model, save_torch_state_dict
    from safetensors import safe_open

    index = json.load(open(os.path.join(folder, "model.safetensors.index.json")))
    shards = {}
    for shard in sorted(set(index["weight_map"].values())):
        with safe_open(os.path.join(folder, shard), framework="pt") as f:
            shards[shard] = {"metadata": f.metadata(), "tensors": {k: sha(f.get_tensor(k)) for k in f.keys()}}
    from safetensors.torch import load_file

    sd = {}
    for shard in shards:
        sd.update(load_file(os.path.join(folder, shard)))
    order = json.load(open(order_file))
    sd = {name: sd[name] for name in order}
    model = module_for(sd)
    result = load_torch_model(model, folder, strict=True)
    loaded = {k: sha(v) for k, v in model.state_dict().items()}
    python = os.path.join(os.path.dirname(folder), "python")
    os.makedirs(python, exist_ok=True)
    save_torch_state_dict(sd, python, max_shard_size=int(max_size) if max_size.isdigit() else max_size)
    files = sorted(os.listdir(python))
    index_text = open(os.path.join(python, "model.safetensors.index.json")).read() if "model.safetensors.index.json" in files else None
    return {
        "shards": shards,
        "loaded": loaded,
        "missing": list(result.missing_keys),
        "unexpected": list(result.unexpected_keys),
        "python_files": files,
        "python_index": index_text,
    }


def tiny_bert():
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24, max_position_embeddings=32)
    return BertModel(config)


def write(folder, max_size):
    import torch
    from huggingface_hub import save_torch_state_dict

    g = torch.Generator().manual_seed(7)
    sd = {
        "embed.weight": torch.randn(64, 32, generator=g),
        "blocks.0.attn.qkv": torch.randn(32, 96, generator=g).to(torch.bfloat16),
        "blocks.0.attn.out": torch.randn(32, 32, generator=g).to(torch.float16),
        "blocks.0.step": torch.tensor(12345678901, dtype=torch.int64),
        "blocks.1.mask": torch.rand(40, generator=g) > 0.5,
        "blocks.1.bytes": torch.randint(0, 255, (300,), generator=g, dtype=torch.uint8),
        "head.weight": torch.randn(32, 64, generator=g, dtype=torch.float64),
    }
    hub = os.path.join(folder, "hub")
    os.makedirs(hub, exist_ok=True)
    save_torch_state_dict(sd, hub, max_shard_size=max_size)
    model = tiny_bert()
    model.save_pretrained(os.path.join(folder, "transformers"), max_shard_size=max_size)
    return {
        "hub": {"files": sorted(os.listdir(hub)), "tensors": described(sd)},
        "transformers": {"files": sorted(os.listdir(os.path.join(folder, "transformers"))), "tensors": described(model.state_dict())},
    }


def bert_spec(folder, max_size):
    model = tiny_bert()
    os.makedirs(folder, exist_ok=True)
    model.config.to_json_file(os.path.join(folder, "config.json"))
    python = os.path.join(os.path.dirname(folder), "bert-python")
    model.save_pretrained(python, max_shard_size=max_size)
    index = json.load(open(os.path.join(python, "model.safetensors.index.json")))
    return {
        "tensors": [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in model.state_dict().items()],
        "weight_map": index["weight_map"],
        "total_size": index["metadata"]["total_size"],
    }


def bert_load(folder):
    from transformers import BertModel

    model, info = BertModel.from_pretrained(folder, output_loading_info=True)
    return {"info": {k: sorted(map(str, v)) for k, v in info.items()}, "tensors": {k: sha(v) for k, v in model.state_dict().items()}}


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "plan":
        result = plan(json.load(sys.stdin))
    elif cmd == "sizes":
        result = sizes(json.load(sys.stdin))
    elif cmd == "load":
        result = load(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "write":
        result = write(sys.argv[2], sys.argv[3])
    elif cmd == "bert-spec":
        result = bert_spec(sys.argv[2], sys.argv[3])
    elif cmd == "bert-load":
        result = bert_load(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {cmd}")
    json.dump(result, sys.stdout)
