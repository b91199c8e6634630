"""Build a PoseLandmarker `.task` bundle offline from MediaPipe's legacy pose models.

A `.task` is a stored (uncompressed) zip of `pose_detector.tflite` and
`pose_landmarks_detector.tflite`. The legacy models that ship inside registry packages carry
no TFLite metadata, and the Tasks API refuses an image model whose input has no
`NormalizationOptions`; so we add that metadata with the flatbuffers object API that MediaPipe
itself ships, and zip the two models together.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import flatbuffers

METADATA_BUFFER_NAME = "TFLITE_METADATA"
METADATA_IDENTIFIER = b"M001"
MODEL_IDENTIFIER = b"TFL3"

# The detector expects pixels scaled to [-1, 1]; the landmark model expects [0, 1].
DETECTOR_NORMALIZATION = (127.5, 127.5)
LANDMARKS_NORMALIZATION = (0.0, 255.0)

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _schema():
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tflite

    return meta, tflite


def _metadata_bytes(name: str, mean: float, std: float, n_outputs: int) -> bytes:
    meta, _ = _schema()
    normalization = meta.NormalizationOptionsT()
    normalization.mean = [mean]
    normalization.std = [std]
    unit = meta.ProcessUnitT()
    unit.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    unit.options = normalization

    image = meta.ImagePropertiesT()
    image.colorSpace = meta.ColorSpaceType.RGB
    content = meta.ContentT()
    content.contentPropertiesType = meta.ContentProperties.ImageProperties
    content.contentProperties = image

    tensor = meta.TensorMetadataT()
    tensor.name = "image"
    tensor.content = content
    tensor.processUnits = [unit]

    subgraph = meta.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [tensor]
    subgraph.outputTensorMetadata = [meta.TensorMetadataT() for _ in range(n_outputs)]

    model_meta = meta.ModelMetadataT()
    model_meta.name = name
    model_meta.description = "MediaPipe legacy pose model with input normalization (posecheck)"
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = "1.0.0"

    builder = flatbuffers.Builder(1024)
    builder.Finish(model_meta.Pack(builder), METADATA_IDENTIFIER)
    return bytes(builder.Output())


def with_normalization(tflite: bytes, name: str, mean: float, std: float) -> bytes:
    """Return `tflite` with a TFLITE_METADATA buffer declaring its input normalization."""
    _, schema = _schema()
    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    n_outputs = len(model.subgraphs[0].outputs)
    buffer = schema.BufferT()
    buffer.data = list(_metadata_bytes(name, mean, std, n_outputs))
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_BUFFER_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if _name(m) != METADATA_BUFFER_NAME]
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(tflite) + 4096)
    builder.Finish(model.Pack(builder), MODEL_IDENTIFIER)
    return bytes(builder.Output())


def _name(entry) -> str:
    name = entry.name
    return name.decode() if isinstance(name, bytes) else str(name)


def write_task(detector: bytes, landmarks: bytes, out: Path) -> Path:
    """Write a `.task` bundle from the two raw legacy models."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    members = {
        DETECTOR_MEMBER: with_normalization(detector, "pose_detector", *DETECTOR_NORMALIZATION),
        LANDMARKS_MEMBER: with_normalization(landmarks, "pose_landmarks_detector", *LANDMARKS_NORMALIZATION),
    }
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, data in members.items():
            # A fixed date keeps the bundle byte-identical from build to build, so its sha256 can be pinned.
            bundle.writestr(zipfile.ZipInfo(name, date_time=_FIXED_DATE), data)
    tmp.replace(out)
    return out
