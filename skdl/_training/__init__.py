"""Training internals: seeding without global side effects, fast fit/predict.

Nothing here is public API; the estimators are its only users.
"""
