INSERT INTO departments VALUES
    (1, 'Engineering'),
    (2, 'Sales'),
    (3, 'Support'),
    (4, 'Legal');
INSERT INTO employees VALUES
    (1, 'Mia', 1, NULL, 200, '2015-03-01'),
    (2, 'Noah', 1, 1, 150, '2017-06-15'),
    (3, 'Olga', 1, 2, 120, '2019-01-10'),
    (4, 'Pete', 1, 2, 120, '2020-09-01'),
    (5, 'Quin', 2, 1, 130, '2016-11-20'),
    (6, 'Rosa', 2, 5, 90, '2021-02-01'),
    (7, 'Sam', 3, 1, 210, '2018-04-04'),
    (8, 'Tia', NULL, NULL, 70, '2022-07-07');
