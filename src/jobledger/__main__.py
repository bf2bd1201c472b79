from jobledger.cli import main

raise SystemExit(main())
