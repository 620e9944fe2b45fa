INSERT INTO customers VALUES
    (1, 'Ann', 'Paris', '2023-01-15'),
    (2, 'Bob', 'Berlin', '2023-02-20'),
    (3, 'Cid', 'Paris', '2023-03-05'),
    (4, 'Dee', NULL, '2023-03-18'),
    (5, 'Eve', 'Rome', '2023-05-02'),
    (6, 'Fay', 'Berlin', '2023-06-11'),
    (7, 'Gus', NULL, '2023-07-30');
INSERT INTO products VALUES
    (1, 'Pen', 'office', 1.50),
    (2, 'Notebook', 'office', 3.00),
    (3, 'Stapler', 'office', 7.25),
    (4, 'Mug', 'kitchen', 6.00),
    (5, 'Kettle', 'kitchen', 25.00),
    (6, 'Lamp', 'home', 18.50),
    (7, 'Rug', 'home', 40.00);
INSERT INTO orders VALUES
    (1, 1, '2024-01-05', 'paid'),
    (2, 1, '2024-01-20', 'shipped'),
    (3, 2, '2024-01-22', 'cancelled'),
    (4, 3, '2024-02-02', 'shipped'),
    (5, 2, '2024-02-14', 'paid'),
    (6, 4, '2024-02-28', 'paid'),
    (7, 5, '2024-03-03', 'shipped'),
    (8, 1, '2024-03-15', 'cancelled'),
    (9, 3, '2024-03-20', 'paid'),
    (10, 5, '2024-03-29', 'paid');
INSERT INTO order_items VALUES
    (1, 1, 10), (1, 2, 2),
    (2, 4, 1), (2, 5, 1),
    (3, 6, 2),
    (4, 3, 1), (4, 1, 4),
    (5, 5, 2),
    (6, 2, 5),
    (7, 6, 1), (7, 4, 2), (7, 1, 1),
    (8, 5, 1),
    (9, 4, 3),
    (10, 2, 1), (10, 3, 2);
