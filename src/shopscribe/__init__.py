"""ShopScribe: fine-tune small language models on a catalog and write product copy.

Library code raises ``shopscribe.errors`` exceptions; the CLI turns them into messages.
"""

from shopscribe.catalog import ProductRecord, load_catalog, split_records
from shopscribe.tasks import load_task

__version__ = "0.1.0"
__all__ = ["ProductRecord", "__version__", "load_catalog", "load_task", "split_records"]
