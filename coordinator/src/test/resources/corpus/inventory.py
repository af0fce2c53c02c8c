"""Inventory helpers for the demo corpus."""

from dataclasses import dataclass


@dataclass
class Item:
    """One stock-keeping unit."""

    sku: str
    name: str
    quantity: int = 0


def restock(item: Item, amount: int) -> Item:
    """Return a copy of item with amount more units."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    return Item(item.sku, item.name, item.quantity + amount)


def low_stock(items, threshold=5):
    """Items whose quantity is below threshold, by SKU."""
    return sorted((i for i in items if i.quantity < threshold), key=lambda i: i.sku)
