-- +goose Up
-- Days in the year a drug was out of stock, where the statistics give them:
-- the supply estimator corrects consumption for them
-- (adjusted use = use × 365 ÷ (365 − days)).
ALTER TABLE consumption ADD COLUMN stock_out_days DOUBLE PRECISION CHECK (stock_out_days >= 0 AND stock_out_days <= 366);

-- +goose Down
-- Forward-only: migrations are never rolled back.
