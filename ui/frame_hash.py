"""A cheap, exact key for the frames the shared caches are keyed on (ui.data, ui.tables, ui.figure_cache).

Streamlit hashes a DataFrame argument with pandas' hash_pandas_object, which turns every Arrow-backed text column
into Python objects first: on the served dashboard that was about a sixth of all the server's CPU (docs/pages.md).
Here a frame is keyed on its shape, column names, dtypes and index, each numeric column's raw bytes, each
Arrow-backed column's Arrow bytes and every other column's values pickled: the same for equal frames however their
memory is laid out (a copy, a frame unpickled from st.cache_data), and different whenever a value, a type, a name
or the order differs, since those bytes give the values back.
"""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa

_RAW_KINDS = "biufcmM"  # numpy bool, integers, floats, complex, datetimes, durations: their bytes are their values


def series_digest(series: pd.Series) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(pickle.dumps((series.name, str(series.dtype), len(series)), protocol=5))
    h.update(_index_bytes(series.index))
    h.update(_values_bytes(series))
    return h.digest()


def frame_digest(frame: pd.DataFrame) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    header = (tuple(frame.columns), tuple(str(d) for d in frame.dtypes), frame.shape)
    h.update(pickle.dumps(header, protocol=5))
    h.update(_index_bytes(frame.index))
    for _, column in frame.items():
        h.update(_values_bytes(column))
    return h.digest()


def _index_bytes(index: pd.Index) -> bytes:
    return pickle.dumps((str(index.dtype), index.tolist()), protocol=5)  # a range and its labels: one key


def _values_bytes(series: pd.Series) -> bytes:
    dtype, values = series.dtype, series.array
    if isinstance(dtype, np.dtype) and dtype.kind in _RAW_KINDS:
        raw = np.ascontiguousarray(series.to_numpy()).tobytes()
    elif hasattr(values, "__arrow_array__"):  # text (Arrow-backed in pandas 3), nullable numbers: Arrow's own bytes
        raw = _arrow_bytes(pa.array(values))
    else:  # Python objects (Decimal amounts, dates): their pickle gives them back
        raw = pickle.dumps(series.tolist(), protocol=5)
    return len(raw).to_bytes(8, "little") + raw


def _arrow_bytes(values: pa.Array | pa.ChunkedArray) -> bytes:
    """The column as an Arrow IPC stream of one batch: its type and values however they are chunked, only the rows
    of a slice (a pickle of a sliced array would carry the whole buffer it is cut from)."""
    whole = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    batch = pa.RecordBatch.from_arrays([whole], names=["v"])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


# hash_funcs of st.cache_data / st.cache_resource
FRAME_HASH = {pd.DataFrame: frame_digest, pd.Series: series_digest}
