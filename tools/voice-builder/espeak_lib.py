"""libespeak-ng through ctypes: synthesizes the corpus with exact phoneme timings.

The voice is espeak-ng's own en-us, read through a private data directory that adds one
variant, `speechgate`, with no pitch flutter; the pitch range is set to zero as well. That
monotone is deliberate: every glottal cycle then lasts the same number of samples, so units cut
from different sentences join without pitch jumps and can be aligned cycle by cycle.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_PHONEME_IPA = 0x0002
EVENT_LIST_TERMINATED = 0
EVENT_PHONEME = 7
PARAM_PITCH = 3
PARAM_RANGE = 4
POS_CHARACTER = 1
CHARS_UTF8 = 1

VARIANT = 'speechgate'
# flutter 0: espeak-ng otherwise wobbles the pitch a little, which breaks cycle alignment.
VARIANT_TEXT = 'language variant\nname speechgate\nflutter 0\n'


class _Event(ctypes.Structure):
    _fields_ = [
        ('type', ctypes.c_int),
        ('unique_identifier', ctypes.c_uint),
        ('text_position', ctypes.c_int),
        ('length', ctypes.c_int),
        ('audio_position', ctypes.c_int),
        ('sample', ctypes.c_int),
        ('user_data', ctypes.c_void_p),
        ('id', ctypes.c_char * 8),
    ]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Utterance:
    """One synthesized sentence: int16 samples and (IPA phoneme, first sample) events; '' is a pause."""

    samples: np.ndarray
    events: list[tuple[str, int]]


def system_data_dir() -> str:
    """Where the Debian package keeps espeak-ng-data."""
    for candidate in ('/usr/lib/x86_64-linux-gnu/espeak-ng-data', '/usr/lib/aarch64-linux-gnu/espeak-ng-data',
                      '/usr/share/espeak-ng-data', '/usr/lib/espeak-ng-data'):
        if os.path.isfile(os.path.join(candidate, 'phontab')):
            return candidate
    raise RuntimeError('espeak-ng-data not found; install espeak-ng-data')


class Espeak:
    """A libespeak-ng instance speaking en-us monotone at a fixed pitch; one per process."""

    def __init__(self, pitch: int, language: str = 'en-us') -> None:
        self._tmp = tempfile.mkdtemp(prefix='speechgate-espeak-')
        data = os.path.join(self._tmp, 'espeak-ng-data')
        os.makedirs(os.path.join(data, 'voices', '!v'))
        source = system_data_dir()
        for name in sorted(os.listdir(source)):
            if name != 'voices':
                os.symlink(os.path.join(source, name), os.path.join(data, name))
        with open(os.path.join(data, 'voices', '!v', VARIANT), 'w', encoding='utf-8') as f:
            f.write(VARIANT_TEXT)

        self._lib = ctypes.CDLL('libespeak-ng.so.1')
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._callback = _Callback(self._on_audio)
        rate = self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, self._tmp.encode(),
                                           INITIALIZE_PHONEME_EVENTS | INITIALIZE_PHONEME_IPA)
        if rate <= 0:
            raise RuntimeError('espeak_Initialize failed')
        self.sample_rate = int(rate)
        self._lib.espeak_SetSynthCallback(self._callback)
        if self._lib.espeak_SetVoiceByName(f'{language}+{VARIANT}'.encode()) != 0:
            raise RuntimeError(f'espeak-ng has no voice {language}+{VARIANT}')
        self._lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
        self._lib.espeak_SetParameter(PARAM_RANGE, 0, 0)

    def _on_audio(self, wav, count, events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == EVENT_PHONEME:
                self._events.append((event.id.decode('utf-8', 'replace'), int(event.sample)))
            i += 1
        return 0

    def speak(self, text: str) -> Utterance:
        self._chunks = []
        self._events = []
        raw = text.encode('utf-8')
        self._lib.espeak_Synth(raw, len(raw) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        return Utterance(samples=samples.astype(np.int16), events=list(self._events))

    def close(self) -> None:
        self._lib.espeak_Terminate()
        shutil.rmtree(self._tmp, ignore_errors=True)


def ipa(text: str, bin_name: str = 'espeak-ng', voice: str = 'en-us') -> str:
    """The IPA the node will see for this text: espeak-ng's CLI output, clause lines joined by spaces."""
    out = subprocess.run([bin_name, '-q', '--ipa', '-v', voice, text], check=True, capture_output=True,
                         text=True).stdout
    return ' '.join(line.strip() for line in out.splitlines() if line.strip())
