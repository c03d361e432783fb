namespace RecEngine.Data;

/// <summary>Item attributes by dense item index, as part of an <see cref="InteractionDataset"/>.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class ItemCatalog
{
    private readonly ItemAttributes?[] _attributes;

    internal ItemCatalog(ItemAttributes?[] attributes, int tagCount)
    {
        _attributes = attributes;
        TagCount = tagCount;
    }

    /// <summary>Number of item slots (equal to the dataset's item count).</summary>
    public int Count => _attributes.Length;

    /// <summary>Number of items that have attributes.</summary>
    public int DescribedCount => _attributes.Count(a => a is not null);

    /// <summary>Total number of tags over all items.</summary>
    public int TagCount { get; }

    /// <summary>Attributes of the item at <paramref name="itemIndex"/>; <see cref="ItemAttributes.Empty"/> when none were given.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemIndex"/> is not in <c>[0, Count)</c>.</exception>
    public ItemAttributes this[int itemIndex]
    {
        get
        {
            if ((uint)itemIndex >= (uint)_attributes.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(itemIndex), itemIndex, $"Item index must be in [0, {_attributes.Length}).");
            }

            return _attributes[itemIndex] ?? ItemAttributes.Empty;
        }
    }

    /// <summary>Whether attributes were given for the item at <paramref name="itemIndex"/>.</summary>
    public bool HasAttributes(int itemIndex) => (uint)itemIndex < (uint)_attributes.Length && _attributes[itemIndex] is not null;
}
