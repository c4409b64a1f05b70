"""Module 03 — design for failure: availability arithmetic, shared failure domains and
fallbacks, the retry storm and the circuit breaker, retry amplification across layers,
blast radius (cells and shuffle sharding), and what a network partition does to each
coordination option of module 02.

The module is a package of three rooms, re-exported here so ``from steward.lessons import
design_for_failure as lesson`` gives every public name as before:

* :mod:`.model` — the closed forms and small models (pure functions);
* :mod:`.views` — the widgets (``APPS``) and static charts;
* :mod:`.exercise` — the exercise's scenario, comparators and ``TASKS``.

The retry simulator and the breaker's state machine live in
:mod:`steward.lessons.resilience_sim`.
"""

from __future__ import annotations

from steward.lessons.design_for_failure.exercise import (
    CANDIDATE_SETTINGS,
    EXERCISE_PATH,
    LOAD_LIMIT,
    MAX_CELLS,
    MAX_FULL,
    MAX_PARTIAL,
    MODULE,
    SETTING_KEYS,
    SHARD_CELLS,
    SHARD_SIZE,
    SUCCESS_TARGET,
    TASKS,
    TODAY_RETRIES,
    States,
    StreamCase,
    best_cell_design,
    evaluate_queue_bound,
    evaluate_settings,
    reference_settings,
    settings_to_client,
    zone_cost_minutes,
)
from steward.lessons.design_for_failure.model import (
    LAYER_TRIES,
    MINUTES,
    SERVERS,
    SHED_SHARE_OF_BUDGET,
    Path,
    amplification,
    calls_received,
    client_for,
    count_calls,
    deadline_worst_case,
    downtime_minutes,
    false_timeout_share,
    human_duration,
    longest_queue_bound,
    nines,
    nines_table,
    parallel,
    partition_table,
    path_availability,
    path_parts,
    queue_bound_window,
    recommended_queue_bound,
    recovery_text,
    replica_tier,
    run_all,
    run_servers,
    series,
    server_name,
    server_scenario,
    shed_limit,
    shortest_queue_bound,
    shuffle_shard_shares,
    simulate_path,
    simulate_shuffle_sharding,
    slots_held,
    spread,
    storm_title,
)
from steward.lessons.design_for_failure.views import (
    APPS,
    AVAILABILITY_OPTIONS,
    AmplificationApp,
    AvailabilityApp,
    BlastRadiusApp,
    RetryStormApp,
    plot_storm_comparison,
    storm_figure,
    storm_html,
)
from steward.lessons.resilience_sim import (
    CLIENTS,
    CLOSED,
    EXERCISE_BREAKER,
    HALF_OPEN,
    OPEN,
    RESILIENCE4J_DEFAULTS,
    Breaker,
    BreakerConfig,
    Client,
    Scenario,
    breaker_streams,
    run_stream,
    service_quantile,
    shed_probability,
    simulate,
    simulate_bounded_queue,
    timeout_for,
    transition,
)

__all__ = [
    "CLIENTS", "CLOSED", "OPEN", "HALF_OPEN", "EXERCISE_BREAKER", "RESILIENCE4J_DEFAULTS", "Breaker",
    "BreakerConfig", "Client", "Scenario", "run_stream", "simulate", "transition", "breaker_streams",
    "service_quantile", "shed_probability", "simulate_bounded_queue", "timeout_for",
    "MODULE", "TASKS", "APPS",
    # model
    "LAYER_TRIES", "MINUTES", "Path", "amplification", "calls_received", "client_for", "count_calls", "downtime_minutes",
    "human_duration", "nines", "nines_table", "parallel", "partition_table", "path_availability", "path_parts",
    "recovery_text", "replica_tier", "run_all", "series", "shuffle_shard_shares", "simulate_path",
    "simulate_shuffle_sharding", "spread", "storm_title", "SERVERS", "SHED_SHARE_OF_BUDGET", "longest_queue_bound",
    "queue_bound_window", "recommended_queue_bound", "run_servers", "server_name", "server_scenario", "shed_limit",
    "shortest_queue_bound", "slots_held", "deadline_worst_case", "false_timeout_share",
    # views
    "AVAILABILITY_OPTIONS", "AmplificationApp", "AvailabilityApp", "BlastRadiusApp", "RetryStormApp",
    "plot_storm_comparison", "storm_figure", "storm_html",
    # exercise
    "CANDIDATE_SETTINGS", "EXERCISE_PATH", "LOAD_LIMIT", "MAX_CELLS", "MAX_FULL", "MAX_PARTIAL", "SETTING_KEYS",
    "SHARD_CELLS", "SHARD_SIZE", "SUCCESS_TARGET", "TODAY_RETRIES", "States", "StreamCase", "best_cell_design", "evaluate_queue_bound", "evaluate_settings",
    "reference_settings", "settings_to_client", "zone_cost_minutes",
]
