from myoclonus.cli import main

main()
