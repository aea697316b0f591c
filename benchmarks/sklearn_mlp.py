"""scikit-learn's MLPClassifier on the same task as `npm run bench -- --only mlp-speed`, for its samples/s.

Reads N images (uint8, 784 each) and their labels from the raw files given, trains a 784-HIDDEN-10 ReLU
network with Adam, batch 128, for EPOCHS epochs on float32 input, and prints one JSON line.
Usage: python3 sklearn_mlp.py PIXELS_FILE LABELS_FILE N EPOCHS HIDDEN
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

pixels_file, labels_file, n, epochs, hidden = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(pixels_file, dtype=np.uint8, count=n * 784).reshape(n, 784).astype(np.float32) / 255
y = np.fromfile(labels_file, dtype=np.uint8, count=n)
net = MLPClassifier(hidden_layer_sizes=(hidden,), batch_size=128, solver="adam", learning_rate_init=1e-3,
                    alpha=0.0, max_iter=epochs, shuffle=True, random_state=1, tol=0, n_iter_no_change=10**9)
warnings.simplefilter("ignore", ConvergenceWarning)
start = time.perf_counter()
net.fit(x, y)
seconds = time.perf_counter() - start
print(json.dumps({"version": sklearn.__version__, "samplesPerSecond": round(n * epochs / seconds),
                  "seconds": round(seconds, 3), "trainAccuracy": float(net.score(x, y))}))
