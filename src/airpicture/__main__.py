from airpicture.cli import main

raise SystemExit(main())
