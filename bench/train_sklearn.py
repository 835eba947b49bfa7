"""scikit-learn side of bench/train.mjs: fits one estimator on the same CSV and split as mlpipe
(the split indices are read from the file mlpipe's split wrote) and prints fit seconds and the test
metric as JSON. Usage: train_sklearn.py DATA TARGET ALGORITHM TASK SPLIT_FILE [key=value ...]"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import mean_squared_error, roc_auc_score
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

data, target, algorithm, task, split_file = sys.argv[1:6]
extra = dict(a.split('=', 1) for a in sys.argv[6:])
df = pd.read_csv(data, skipinitialspace=True, na_values=['?'])
drop = [c for c in extra.pop('drop', '').split(',') if c]
y_raw = df[target]
X = df.drop(columns=[target, *drop])
split = json.load(open(split_file))
train, test = np.array(split['train']), np.array(split['test'])
cat = [c for c in X.columns if X[c].dtype == object]
num = [c for c in X.columns if c not in cat]
linear = algorithm in ('linear', 'ridge', 'logistic')
Xn = X[num].fillna(X[num].iloc[train].median())
parts = [Xn.to_numpy(dtype=float)]
if cat:
    Xc = X[cat].fillna('__missing__').astype(str)
    enc = OneHotEncoder(handle_unknown='ignore', sparse=False) if linear else OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1)
    enc.fit(Xc.iloc[train])
    parts.append(enc.transform(Xc))
Xa = np.hstack(parts).astype(np.float32)
if linear:
    scaler = StandardScaler().fit(Xa[train][:, :len(num)])
    Xa[:, :len(num)] = scaler.transform(Xa[:, :len(num)])
if task == 'regression':
    y = y_raw.to_numpy(dtype=float)
else:
    y = np.unique(y_raw.astype(str), return_inverse=True)[1]
p = {k: (int(v) if v.isdigit() else float(v) if v.replace('.', '', 1).isdigit() else {'true': True, 'false': False}.get(v, v)) for k, v in extra.items()}
cls = task != 'regression'
model = {
    'hgb': lambda: (HistGradientBoostingClassifier if cls else HistGradientBoostingRegressor)(random_state=0, **p),
    'random_forest': lambda: (RandomForestClassifier if cls else RandomForestRegressor)(random_state=0, n_jobs=-1, **p),
    'decision_tree': lambda: (DecisionTreeClassifier if cls else DecisionTreeRegressor)(random_state=0, **p),
    'logistic': lambda: LogisticRegression(**p),
    'linear': lambda: LinearRegression(),
    'ridge': lambda: Ridge(**p),
}[algorithm]()
t0 = time.perf_counter()
model.fit(Xa[train], y[train])
fit = time.perf_counter() - t0
if cls:
    proba = model.predict_proba(Xa[test])
    metric = {'roc_auc': roc_auc_score(y[test], proba[:, 1]) if proba.shape[1] == 2 else roc_auc_score(y[test], proba, multi_class='ovr')}
else:
    metric = {'rmse': mean_squared_error(y[test], model.predict(Xa[test])) ** 0.5}
print(json.dumps({'fit_seconds': fit, **metric}))
