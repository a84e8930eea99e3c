-- Address book for AggregateSQLTests. 0x22..22 reaches acme-fac through two roles (reward and
-- facilitator_pay_to): 2x under stack, 1x under dedupe. acme-fac is owned by acme, so its
-- facilitator_pay_to address also counts for acme (owner marker, derived by a view).
INSERT INTO entities (entity_id, name, kind, owner_entity_id) VALUES
    ('acme', 'Acme Corp', 'company', NULL),
    ('acme-fac', 'Acme Facilitator', 'facilitator', 'acme'),
    ('other', 'Other Fund', 'fund', NULL);

INSERT INTO entity_addresses (entity_id, chain_id, address, role) VALUES
    ('acme-fac', 1, '0x2222222222222222222222222222222222222222', 'reward'),
    ('acme-fac', 1, '0x2222222222222222222222222222222222222222', 'facilitator_pay_to'),
    ('acme', 1, '0x1111111111111111111111111111111111111111', 'treasury'),
    ('other', 1, '0x4444444444444444444444444444444444444444', 'treasury'),
    ('other', 25, '0x2222222222222222222222222222222222222222', 'reward');
