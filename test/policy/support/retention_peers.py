"""Retention oracle: replays save traces through the real peers and prints what each keeps.

stdin: {"lightning": [{"mode", "k", "values": ["0.25", "nan", "inf", ...], "save_last": optional bool}],
        "orbax": [{"n", "saves"}], "tf": [{"n", "saves"}]}
stdout: {"missing": {peer: reason or null}, "versions": {peer: version},
         "lightning": [[[epochs kept after epoch 0], [after epoch 1], ...], ...],
                      (with save_last: [{"top": [epochs of the top-k files], "last": epoch last.ckpt holds, or null}, ...])
         "orbax": [[steps kept at the end], ...], "tf": [[checkpoint numbers kept at the end], ...]}

Lightning runs a real Trainer (CPU, one batch per epoch) whose validation logs the trace's value for that epoch;
ModelCheckpoint(save_top_k=k[, save_last=True]) decides, and the .ckpt files on disk after each of its decisions are its kept
set (with save_last, also the epoch stored in last.ckpt). Orbax saves
steps 0..saves-1 through CheckpointManager(max_to_keep=n); TF numbers 0..saves-1 through
tf.train.CheckpointManager(max_to_keep=n). Each peer is imported only when it has traces; one that cannot be imported
is reported in "missing" with the reason.
"""
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_PLATFORMS", "cpu")


def lightning_runs(traces):
    import torch
    import lightning
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import ModelCheckpoint

    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    logging.getLogger("lightning.fabric").setLevel(logging.ERROR)
    torch.set_num_threads(1)

    class Trace(pl.LightningModule):
        def __init__(self, values):
            super().__init__()
            self.values = values
            self.layer = torch.nn.Linear(1, 1)

        def training_step(self, batch, _):
            return self.layer(batch[0]).sum()

        def validation_step(self, batch, _):
            self.log("m", self.values[self.current_epoch])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

        def loader(self):
            return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(1, 1)), batch_size=1)

        train_dataloader = loader
        val_dataloader = loader

    class Listed(ModelCheckpoint):
        """Lightning's ModelCheckpoint, unchanged, listing the checkpoint files after each of its decisions."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.kept = []

        def on_train_epoch_end(self, trainer, pl_module):
            # With validation every epoch, ModelCheckpoint decides here (after validation), not at validation end.
            super().on_train_epoch_end(trainer, pl_module)
            names = os.listdir(self.dirpath) if os.path.isdir(self.dirpath) else []
            top = sorted(int(m.group(1)) for m in (re.fullmatch(r"epoch=(\d+)\.ckpt", n) for n in names) if m)
            if not self.save_last:
                self.kept.append(top)
                return
            last = os.path.join(self.dirpath, "last.ckpt")
            held = torch.load(last, weights_only=False)["epoch"] if os.path.exists(last) else None
            self.kept.append({"top": top, "last": held})

    out = []
    for trace in traces:
        directory = tempfile.mkdtemp(prefix="ckpt-lightning-")
        try:
            values = [float(v) for v in trace["values"]]
            checkpoint = Listed(
                dirpath=directory,
                filename="{epoch}",
                monitor="m",
                mode=trace["mode"],
                save_top_k=trace["k"],
                save_last=bool(trace.get("save_last", False)),
            )
            trainer = pl.Trainer(
                max_epochs=len(values),
                callbacks=[checkpoint],
                logger=False,
                enable_progress_bar=False,
                enable_model_summary=False,
                num_sanity_val_steps=0,
                accelerator="cpu",
                devices=1,
                limit_train_batches=1,
                limit_val_batches=1,
            )
            trainer.fit(Trace(values))
            if len(checkpoint.kept) != len(values):
                raise RuntimeError(f"expected {len(values)} checkpoint decisions, saw {len(checkpoint.kept)}")
            out.append(checkpoint.kept)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return lightning.__version__, out


def orbax_runs(traces):
    import orbax.checkpoint as ocp
    from importlib.metadata import version

    out = []
    for trace in traces:
        directory = tempfile.mkdtemp(prefix="ckpt-orbax-")
        try:
            options = ocp.CheckpointManagerOptions(max_to_keep=trace["n"], enable_async_checkpointing=False)
            with ocp.CheckpointManager(os.path.join(directory, "run"), options=options) as manager:
                for step in range(trace["saves"]):
                    manager.save(step, args=ocp.args.JsonSave({"step": step}))
                manager.wait_until_finished()
                out.append(sorted(manager.all_steps()))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return version("orbax-checkpoint"), out


def tf_runs(traces):
    import tensorflow as tf

    out = []
    for trace in traces:
        directory = tempfile.mkdtemp(prefix="ckpt-tf-")
        try:
            manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(0.0)), directory, max_to_keep=trace["n"])
            for number in range(trace["saves"]):
                manager.save(checkpoint_number=number)
            out.append(sorted(int(p.rsplit("-", 1)[1]) for p in manager.checkpoints))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return tf.__version__, out


def main():
    request = json.load(sys.stdin)
    result = {"missing": {}, "versions": {}}
    for peer, run in (("lightning", lightning_runs), ("orbax", orbax_runs), ("tf", tf_runs)):
        traces = request.get(peer, [])
        result[peer] = []
        result["missing"][peer] = None
        if not traces:
            continue
        try:
            result["versions"][peer], result[peer] = run(traces)
        except ImportError as e:
            result["missing"][peer] = f"{type(e).__name__}: {e}"
    sys.stdout.flush()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
