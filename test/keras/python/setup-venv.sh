#!/usr/bin/env bash
# Creates (once) the Python virtual environment used by the Keras interop tests
# (test/keras/*.test.ts): keras 3, tensorflow-cpu and h5py.
#
#   venv: ${CKPT_KERAS_VENV:-$HOME/.cache/ckpt-keras-venv}
#
# Idempotent: an existing venv that already imports keras, tensorflow and h5py is kept.
# Always exits 0: when Python or the package mirror is missing it prints why, and the
# interop tests then skip with a printed reason.
set -u
VENV="${CKPT_KERAS_VENV:-$HOME/.cache/ckpt-keras-venv}"
PY="$VENV/bin/python"
CHECK='import keras, tensorflow, h5py; print("keras", keras.__version__, "tensorflow", tensorflow.__version__, "h5py", h5py.__version__)'

if [ -x "$PY" ] && "$PY" -c "$CHECK" >/dev/null 2>&1; then
  echo "ckpt-keras-venv: ready at $VENV ($("$PY" -c "$CHECK" 2>/dev/null | tail -1))"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "ckpt-keras-venv: python3 not found; Keras interop tests will be skipped"
  exit 0
fi
if [ ! -x "$PY" ]; then
  if ! python3 -m venv "$VENV"; then
    echo "ckpt-keras-venv: could not create a venv at $VENV (python3 -m venv failed); Keras interop tests will be skipped"
    exit 0
  fi
fi
# --retries 0: an unreachable index fails fast instead of backing off per package.
if ! "$VENV/bin/pip" install --retries 0 --timeout 20 --disable-pip-version-check -q keras tensorflow-cpu h5py; then
  echo "ckpt-keras-venv: pip install keras tensorflow-cpu h5py failed (package mirror unreachable?); Keras interop tests will be skipped"
  exit 0
fi
if "$PY" -c "$CHECK"; then
  echo "ckpt-keras-venv: ready at $VENV"
else
  echo "ckpt-keras-venv: installed, but importing keras/tensorflow/h5py failed; Keras interop tests will be skipped"
fi
exit 0
