"""Ray: imported on demand (an optional extra), joined at an address or started on this machine."""

from __future__ import annotations

import logging
import os
import warnings

from shopscribe.errors import ShopScribeError

RAY_MISSING = ("Ray is not installed: `pip install 'shopscribe[ray]'` (install.sh installs it), then run the "
               "command again")


def require_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ShopScribeError(RAY_MISSING) from exc
    # map_batches' max_task_retries still works in the pinned Ray; its deprecation notice is noise for users
    warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated", category=DeprecationWarning)
    return ray


def connect(address: str | None, log) -> bool:
    """Join the cluster at ``address`` (else RAY_ADDRESS), or start a local Ray; True when this call started
    or joined it (and the caller should shut it down), False when this process was already connected."""
    ray = require_ray()
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False, "include_dashboard": False}
    if address:
        ray.init(address=address, **quiet)
        log(f"joined the Ray cluster at {address}: {ray.cluster_resources().get('CPU', 0):.0f} CPUs")
    else:
        ray.init(num_cpus=os.cpu_count(), **quiet)
        log(f"started a local Ray: {os.cpu_count()} CPUs")
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    return True
