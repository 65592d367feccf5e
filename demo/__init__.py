"""The demo builder (`manage.py seed_demo`), the last app of the chain: it uses every other app
and none uses it.

- `world`, `story`, `accounts`: the shared building blocks (the world the parts build in, one
  suggestion's history played through the services at past dates, the demo's logins);
- `this_year`, `last_year`: the two meetings' suggestions;
- `supervision`, `reports`: those apps' parts, for each year;
- `builder`: runs the parts in order; `content`: the texts.
"""
