"""Customer lists a user works from: action lists, the explorer, a customer's history, the customers of a
migration cell; paged and masked."""
