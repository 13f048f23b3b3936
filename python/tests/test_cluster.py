"""Spark (local[2]) and Dask (a LocalCluster of two worker processes) audit
the demo population in 8 partitions; the report equals the single-machine
streaming run (tidy frame equal, JSON equal apart from provenance).
Skipped, saying why, when pyspark, Java or dask.distributed is absent."""

import importlib.util
import os
import shutil
import sys

import pandas as pd
import pytest

import biasbench
from conftest import DEMO_FLAGS, assert_same_report


@pytest.fixture(scope="module")
def demo(demo_csv):
    df = pd.read_csv(demo_csv)
    return df, biasbench.verify(df, stream=True, reproducible=True, **DEMO_FLAGS)


@pytest.fixture(scope="module")
def spark():
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: the Spark test did not run")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: the Spark test did not run (pyspark needs Java 17)")
    from pyspark.sql import SparkSession

    # Workers run this interpreter (its packages), not the first python on PATH.
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("biasbench-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_equals_one_machine(spark, demo):
    import biasbench.spark

    df, whole = demo
    sdf = spark.createDataFrame(df).repartition(8)
    assert sdf.rdd.getNumPartitions() == 8
    report = biasbench.spark.verify(sdf, reproducible=True, **DEMO_FLAGS)
    assert_same_report(report, whole)


def test_dask_equals_one_machine(demo):
    if importlib.util.find_spec("distributed") is None:
        pytest.skip("dask.distributed is not installed: the Dask test did not run")
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    import biasbench.dask

    df, whole = demo
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        ddf = dd.from_pandas(df, npartitions=8)
        assert ddf.npartitions == 8
        report = biasbench.dask.verify(ddf, reproducible=True, split_every=3, **DEMO_FLAGS)
    assert_same_report(report, whole)
