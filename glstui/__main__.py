from glstui.cli import main

raise SystemExit(main())
